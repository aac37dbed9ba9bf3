package io.deepstorage.schemas;

import org.apache.avro.Schema;

/** The Avro schemas of every layer, for engines that work with schemas rather than generated classes. */
public final class Schemas {
    private Schemas() {}

    public static Schema bronzeEvent() { return BronzeEvent.getClassSchema(); }
    public static Schema deadLetter() { return DeadLetter.getClassSchema(); }
    public static Schema stopExecution() { return StopExecution.getClassSchema(); }
    public static Schema stopOutcomeExample() { return StopOutcomeExample.getClassSchema(); }
}

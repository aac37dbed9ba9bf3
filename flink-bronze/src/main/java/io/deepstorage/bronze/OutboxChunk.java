package io.deepstorage.bronze;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * One event_id range of the outbox, [first, last], and how far a reader got in it: {@code after} is the last
 * event_id emitted (rows are read in event_id order), null before the first. A checkpoint keeps the chunk with its
 * {@code after}, so a restored reader continues with the next event_id: nothing read twice, nothing skipped, even
 * when the app inserted rows into the range meanwhile (a row count would shift; a key does not).
 */
public record OutboxChunk(int number, String first, String last, String after) implements SourceSplit {

    @Override
    public String splitId() {
        return "chunk-" + number;
    }

    /** This chunk once {@code eventId} was emitted. */
    public OutboxChunk readThrough(String eventId) {
        return new OutboxChunk(number, first, last, eventId);
    }

    /** {@code n} chunks that split the uuid space evenly by its first 32 bits. */
    public static List<OutboxChunk> split(int n) {
        List<OutboxChunk> chunks = new ArrayList<>(n);
        long space = 1L << 32;
        for (int i = 0; i < n; i++) {
            long from = space * i / n;
            long to = space * (i + 1) / n - 1;
            chunks.add(new OutboxChunk(i, String.format("%08x-0000-0000-0000-000000000000", from),
                    String.format("%08x-ffff-ffff-ffff-ffffffffffff", to), null));
        }
        return chunks;
    }

    /** A chunk as checkpoint bytes. */
    public static final class Serializer implements SimpleVersionedSerializer<OutboxChunk> {
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(OutboxChunk chunk) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(96);
            write(chunk, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public OutboxChunk deserialize(int version, byte[] bytes) throws IOException {
            return read(version, new DataInputDeserializer(bytes));
        }

        static void write(OutboxChunk chunk, DataOutputSerializer out) throws IOException {
            out.writeInt(chunk.number);
            out.writeUTF(chunk.first);
            out.writeUTF(chunk.last);
            out.writeBoolean(chunk.after != null);
            if (chunk.after != null) {
                out.writeUTF(chunk.after);
            }
        }

        static OutboxChunk read(int version, DataInputDeserializer in) throws IOException {
            if (version != 1) {
                throw new IOException("unknown outbox chunk version " + version);
            }
            int number = in.readInt();
            String first = in.readUTF();
            String last = in.readUTF();
            return new OutboxChunk(number, first, last, in.readBoolean() ? in.readUTF() : null);
        }
    }

    /** The enumerator's checkpoint: the chunks no reader has been given yet. */
    public static final class ListSerializer implements SimpleVersionedSerializer<List<OutboxChunk>> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(List<OutboxChunk> chunks) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(96 * (chunks.size() + 1));
            out.writeInt(chunks.size());
            for (OutboxChunk c : chunks) {
                Serializer.write(c, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public List<OutboxChunk> deserialize(int version, byte[] bytes) throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            int n = in.readInt();
            List<OutboxChunk> chunks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                chunks.add(Serializer.read(version, in));
            }
            return chunks;
        }
    }
}

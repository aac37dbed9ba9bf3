package io.deepstorage.spark;

/** The job ran but refused to produce output (e.g. a quality gate failed). One-line message; exit code 1. */
public final class JobFailedException extends RuntimeException {
    public JobFailedException(String oneLineMessage) {
        super(oneLineMessage.replace('\n', ' '));
    }
}

package io.deepstorage.cli;

/** A bad or missing setting. The message is one line naming the setting; the job mains print it and exit 2. */
public final class SettingException extends RuntimeException {
    public SettingException(String oneLineMessage) {
        super(oneLineMessage.replace('\n', ' '));
    }
}

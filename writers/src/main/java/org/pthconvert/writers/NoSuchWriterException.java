package org.pthconvert.writers;

import org.pthconvert.errors.InvalidRequestException;

/** No writer has the asked-for name or extension; the message lists those that exist. */
public class NoSuchWriterException extends InvalidRequestException {

    private final String asked;
    private final String known;

    public NoSuchWriterException(String message, String asked, String known) {
        super(message);
        this.asked = asked;
        this.known = known;
    }

    /** The name or extension asked for. */
    public String asked() { return asked; }

    /** The writers that exist: {@code safetensors (.safetensors), npz (.npz)}. */
    public String known() { return known; }
}

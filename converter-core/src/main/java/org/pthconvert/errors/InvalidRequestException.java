package org.pthconvert.errors;

/**
 * What the caller asked for cannot be done as asked, whatever the file holds: a malformed
 * selection, an option a format cannot honour, contradictory settings. The CLI reports it as a
 * usage error (exit 2); any other unchecked exception is a bug (exit 70).
 */
public class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}

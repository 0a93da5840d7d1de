package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;

import org.pthconvert.errors.CheckpointException;

/**
 * How a container refuses a file: at once when opening fails, or, for a file whose pickles are to
 * be audited first (an ambiguous zip, a file torch would unpickle that is no checkpoint), through
 * {@link CheckpointContainer#deferredRefusal()}. Either way the file must be refused.
 */
final class Refusals {
    private Refusals() {
    }

    static CheckpointException of(Path p) {
        try (CheckpointContainer c = Containers.open(p)) {
            CheckpointException e = c.deferredRefusal();
            assertNotNull(e, p + " opened without a refusal");
            return e;
        } catch (CheckpointException e) {
            return e;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

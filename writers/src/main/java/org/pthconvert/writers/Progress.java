package org.pthconvert.writers;

/**
 * Told how a conversion advances, from the writing thread: the total once the writer has said which
 * tensors it needs, then every batch of bytes handed over. Both count source bytes as the writer
 * receives them (after a cast, before any widening the format does), so the two always meet.
 */
public interface Progress {

    Progress NONE = new Progress() {
        @Override
        public void start(long totalBytes) {
        }

        @Override
        public void advance(long bytes) {
        }
    };

    void start(long totalBytes);

    void advance(long bytes);
}

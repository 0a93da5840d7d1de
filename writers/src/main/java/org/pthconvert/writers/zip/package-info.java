/**
 * The zip writer the pth and npz writers share: STORED records on 64-byte boundaries, data copied file to
 * file, CRC-32s read back from the page cache on a worker thread. Internal to the writers module.
 */
package org.pthconvert.writers.zip;

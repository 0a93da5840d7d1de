/**
 * The {@code hdf5} writer: HDF5 files that h5py, MATLAB and jhdf read, written in one streaming
 * pass. jhdf 0.13.0 encodes the superblock, object headers and messages ({@link
 * org.pthconvert.writers.hdf5.ObjectHeaders}); this package plans the layout (names to groups,
 * {@link org.pthconvert.writers.hdf5.Hdf5Names}; addresses, {@link
 * org.pthconvert.writers.hdf5.Hdf5Layout}), encodes what jhdf cannot (float16, enum and compound
 * datatypes, variable-length strings and their global heap, the reference count message) and moves
 * tensor bytes straight from the checkpoint into the file.
 */
package org.pthconvert.writers.hdf5;

/**
 * Plain values describing tensors: shapes, storages, strided views and the specs writers receive.
 */
package org.pthconvert.tensor;

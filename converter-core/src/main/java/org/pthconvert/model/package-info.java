/**
 * Torch semantics on top of the pickle: {@link org.pthconvert.model.Checkpoint} opens and validates a file, {@link org.pthconvert.model.TorchHooks} turns rebuild calls into tensor views without running them, the walker finds every tensor with its path, and module views give a pickled nn.Module's state_dict names.
 */
package org.pthconvert.model;

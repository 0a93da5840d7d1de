/**
 * Torch semantics on top of the pickle: {@link org.pthconvert.model.Checkpoint} opens and validates a
 * file through the torch hooks ({@code torch.hooks.TorchHooks}, not exported), which turn rebuild calls into tensor views ({@code torch.PTensor}) without running
 * them (and gather every dangerous global for one refusal), the walker finds every tensor with its
 * path within fixed bounds (depth, visits, paths), {@code QuantParams} reads per-channel quantization
 * parameters, module views give a pickled nn.Module's state_dict names, and
 * {@link org.pthconvert.model.Scanner} audits files for {@code scan}.
 */
package org.pthconvert.model;

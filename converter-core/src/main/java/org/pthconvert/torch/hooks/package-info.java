/**
 * The torch layer's pickle hooks, safety-critical and therefore not exported from the module:
 * {@link org.pthconvert.torch.hooks.TorchHooks} answers the interpreter for torch's pickles (persistent
 * ids become {@code PStorage}s, calls to torch's rebuild functions become {@code PTensor}s through
 * {@link org.pthconvert.torch.hooks.TensorRebuilder}, every global is judged by the
 * {@code safety.Allowlist} and recorded for one refusal). {@code model.Checkpoint} and the folder
 * inputs ({@code inputs.DcpFolder}) use them; nobody outside converter-core can.
 */
package org.pthconvert.torch.hooks;

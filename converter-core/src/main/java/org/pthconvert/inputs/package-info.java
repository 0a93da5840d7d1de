/**
 * Inputs that are not one {@code torch.save} file: a safetensors file, a sharded Hugging Face folder
 * (or its {@code *.index.json}) of {@code .bin} or {@code .safetensors} shards, a folder without
 * an index holding one {@code model.safetensors} or {@code pytorch_model.bin}, and a
 * {@code torch.distributed.checkpoint} folder. Each is recognised from its content
 * ({@link org.pthconvert.inputs.Inputs}) and opened as an
 * {@link org.pthconvert.inputs.AssembledInput}: a container whose object tree is built from the
 * input's own index (a safetensors header, an index's weight map, DCP's {@code .metadata}) instead of
 * being unpickled, and whose storages are byte ranges read in place, so that every command downstream
 * of {@code model.Checkpoint} works on them unchanged. This package sits below {@code model}: a
 * sharded folder's torch.save shards are read through the {@link org.pthconvert.inputs.ShardReader}
 * the checkpoint reader passes in. Not exported from the module (the DCP hooks live here).
 */
package org.pthconvert.inputs;

// Reference activations of an nsfwjs model, computed by TensorFlow.js itself (pure-JS CPU
// backend), for the importer's check (tests/nn/pretrained_test.cc). Training-time tool, like
// fetch_pretrained.sh; needs @tensorflow/tfjs (nsfwjs's peer dependency) installed beside it:
//   (cd CACHE/npm && npm install --no-save @tensorflow/tfjs@4.22.0)
//   NODE_PATH=CACHE/npm/node_modules node scripts/pretrained_reference.js \
//     CACHE/pretrained/mobilenet_v2 block_10_depthwise_relu,out_relu > tests/data/pretrained/mobilenet_v2.json
// The input is a 1 x 224 x 224 x 3 image in [0,1] given by a formula both sides compute:
//   value(y, x, c) = 0.5 + 0.5 * sin(0.05 * (c + 1) * x + 0.08 * y + c)   (float32)
// For each named layer: its output shape (NHWC), each channel's mean, and every 997th value.
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [dir, layers] = process.argv.slice(2);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json')));
  const specs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
      tf.io.fromMemory({modelTopology: json.modelTopology, weightSpecs: specs, weightData: data}));
  const size = 224;
  const input = new Float32Array(size * size * 3);
  for (let y = 0; y < size; ++y) {
    for (let x = 0; x < size; ++x) {
      for (let c = 0; c < 3; ++c) {
        input[(y * size + x) * 3 + c] = 0.5 + 0.5 * Math.sin(0.05 * (c + 1) * x + 0.08 * y + c);
      }
    }
  }
  const names = layers.split(',');
  const sub = tf.model(
      {inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output)});
  let outs = sub.predict(tf.tensor4d(input, [1, size, size, 3]));
  if (!Array.isArray(outs)) outs = [outs];
  const result = {input: 'value(y,x,c) = 0.5 + 0.5 sin(0.05 (c+1) x + 0.08 y + c), 224x224',
                  tfjs: tf.version.tfjs, layers: {}};
  names.forEach((n, i) => {
    const t = outs[i];
    const v = t.dataSync();
    const channels = t.shape[t.shape.length - 1];
    const mean = new Array(channels).fill(0);
    for (let k = 0; k < v.length; ++k) mean[k % channels] += v[k];
    const count = v.length / channels;
    const samples = [];
    for (let k = 0; k < v.length; k += 997) samples.push([k, v[k]]);
    result.layers[n] = {shape: t.shape, channel_mean: mean.map((m) => m / count), samples};
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}
main().catch((e) => { console.error(e); process.exit(1); });

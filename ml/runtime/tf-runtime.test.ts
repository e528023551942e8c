import { mlConfig } from '../settings';
import { tfRuntime } from './tf-runtime';

// tf-runtime-wasm.test.ts covers the wasm fallback on a machine where the native binding is
// installed: tfjs keeps its engine on the global object, so each choice needs a test file (a
// context) of its own.

function nativeBindingLoads(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('TensorFlow.js runtime', () => {
  test('runs on native TensorFlow when the tfjs-node binding loads, otherwise on wasm', async () => {
    const { tf, backend } = await tfRuntime();
    // unconfigured, as here, ml/ runs with the defaults (native allowed); configured, it follows mlConfig()
    const expected = !mlConfig().disableNativeTf && nativeBindingLoads() ? 'tensorflow' : 'wasm';
    expect(backend).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    expect(
      Array.from(
        tf
          .matMul(
            tf.tensor2d([
              [1, 2],
              [3, 4],
            ]),
            tf.tensor2d([[5], [6]]),
          )
          .dataSync(),
      ),
    ).toEqual([17, 39]);
  });
});

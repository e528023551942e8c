import { tfRuntime } from './tf-runtime';

// The fallback that serves wherever native TensorFlow is missing, checked also where it is installed.
describe('TensorFlow.js runtime with TIDINGS_TF_DISABLE_NATIVE=1', () => {
  const saved = process.env.TIDINGS_TF_DISABLE_NATIVE;
  beforeAll(() => {
    process.env.TIDINGS_TF_DISABLE_NATIVE = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TIDINGS_TF_DISABLE_NATIVE;
    else process.env.TIDINGS_TF_DISABLE_NATIVE = saved;
  });

  test('runs on the wasm backend', async () => {
    const { tf, backend } = await tfRuntime();
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
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

import { loadMlConfig } from '../../config/ml';
import { configureMl, DEFAULT_ML_CONFIG, mlConfig } from '../settings';
import { tfRuntime } from './tf-runtime';

// The fallback that serves wherever native TensorFlow is missing, checked also where it is installed.
describe('TensorFlow.js runtime with TIDINGS_TF_DISABLE_NATIVE=1', () => {
  beforeAll(() => {
    configureMl(loadMlConfig({ TIDINGS_TF_DISABLE_NATIVE: '1' }));
    expect(mlConfig().disableNativeTf).toBe(true);
  });
  afterAll(() => {
    configureMl(DEFAULT_ML_CONFIG);
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

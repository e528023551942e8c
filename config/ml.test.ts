import { loadConfig, ConfigError } from './config';
import { loadMlConfig } from './ml';

describe('ML configuration from the environment', () => {
  test('each variable maps to its setting; unset leaves ml/ its defaults', () => {
    expect(loadMlConfig({})).toEqual({ sentimentModelsDir: undefined, encoderDir: undefined, encoderWorkers: undefined, encoderNice: 10, disableNativeTf: false });
    expect(
      loadMlConfig({ TIDINGS_SENTIMENT_MODELS_DIR: '/m', TIDINGS_ENCODER_DIR: '/e', TIDINGS_ENCODER_WORKERS: '2', TIDINGS_ENCODER_NICE: '0', TIDINGS_TF_DISABLE_NATIVE: '1' }),
    ).toEqual({ sentimentModelsDir: '/m', encoderDir: '/e', encoderWorkers: 2, encoderNice: 0, disableNativeTf: true });
  });

  test('quiets libtensorflow start-up lines unless the environment says otherwise', () => {
    const env: NodeJS.ProcessEnv = {};
    loadMlConfig(env);
    expect(env.TF_CPP_MIN_LOG_LEVEL).toBe('2');
    const chatty: NodeJS.ProcessEnv = { TF_CPP_MIN_LOG_LEVEL: '0' };
    loadMlConfig(chatty);
    expect(chatty.TF_CPP_MIN_LOG_LEVEL).toBe('0');
  });

  test('part of the app configuration; a bad worker count fails start-up with a ConfigError', () => {
    expect(loadConfig({ NODE_ENV: 'test', TIDINGS_ENCODER_WORKERS: '0' }).ml.encoderWorkers).toBe(0);
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_ENCODER_WORKERS: 'many' })).toThrow(ConfigError);
    for (const bad of ['-1', '20', 'low']) expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_ENCODER_NICE: bad })).toThrow(ConfigError);
  });
});

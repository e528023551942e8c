"""Reference fixture for the TypeScript WordPiece tokenizer and BERT encoder.

Independent of the TypeScript code: token ids come from the Hugging Face `tokenizers`
package (Rust), embeddings from a plain numpy BERT forward pass over model.safetensors
(mean pooling over the attention mask, then L2 normalisation, as sentence-transformers'
all-MiniLM-L6-v2 does).

    pip install numpy safetensors tokenizers
    OPENBLAS_NUM_THREADS=1 python scripts/encoder_reference.py <encoder dir> <shared data dir> <out .json.gz>

(one BLAS thread: the matrices are small, and threaded BLAS on a busy machine is far slower)

Sentences: 1,000 real headlines (every k-th row of twitter valid and of SEntFiN) plus a few
hand-written strings that exercise normalisation (accents, CJK, control characters, long
words, emoji) for the tokenizer check only.
"""
import base64, csv, gzip, json, math, os, sys
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

enc_dir, shared, out = sys.argv[1:4]
MAX_LEN = 256  # sentence-transformers max_seq_length for all-MiniLM-L6-v2

def rows(path):
    with open(path, newline='', encoding='utf-8-sig') as f:
        return list(csv.DictReader(f))

tw = [r['text'] for r in rows(os.path.join(shared, 'sentiment/twitter-financial-news/valid.csv'))]
sf = [r['Title'] for r in rows(os.path.join(shared, 'sentiment/sentfin/SEntFiN.csv'))]
sentences = [tw[i] for i in range(0, len(tw), len(tw) // 500)][:500] + [sf[i] for i in range(3, len(sf), len(sf) // 500)][:500]
assert len(sentences) == 1000
extra = [
    'Café Nestlé SA — résumé of Société Générale’s Q3: +3.4% ($AAPL, €1.2bn)',
    '日本株は上昇 Toyota 株価 上昇',
    'Tab\there,\u200bzero-width and control\x07 chars\r\nnew line',
    'Supercalifragilisticexpialidocious' * 4,
    'Ünïcödé ÀÉÎÕÜ ŞİĞ ΣΊΣΥΦΟΣ straße',
    '🚀🚀 $TSLA to the moon!!! 📈 #stocks @elonmusk https://t.co/abc123',
    '',
    'A' * 120 + ' end',
    ' '.join(['long'] * 400),
]

tok = Tokenizer.from_file(os.path.join(enc_dir, 'tokenizer.json'))
tok.no_padding()
tok.enable_truncation(MAX_LEN)
ids = [tok.encode(s).ids for s in sentences + extra]

w = {k: v.astype(np.float64) for k, v in load_file(os.path.join(enc_dir, 'model.safetensors')).items() if not k.endswith('position_ids')}
cfg = json.load(open(os.path.join(enc_dir, 'config.json')))
H, NH, EPS = cfg['hidden_size'], cfg['num_attention_heads'], cfg['layer_norm_eps']
D = H // NH

def erf(x):
    # exact math.erf, element by element (a polynomial approximation would be too coarse)
    return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)

def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))

def ln(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * g + b

def lin(x, name):
    return x @ w[name + '.weight'].T + w[name + '.bias']

def embed(seq):
    seq = np.array(seq)
    L = len(seq)
    x = w['embeddings.word_embeddings.weight'][seq] + w['embeddings.position_embeddings.weight'][:L] + w['embeddings.token_type_embeddings.weight'][0]
    x = ln(x, w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'])
    for l in range(cfg['num_hidden_layers']):
        p = f'encoder.layer.{l}.'
        q, k, v = (lin(x, p + 'attention.self.' + n).reshape(L, NH, D).transpose(1, 0, 2) for n in ('query', 'key', 'value'))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(D)
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(L, H)
        x = ln(x + lin(ctx, p + 'attention.output.dense'), w[p + 'attention.output.LayerNorm.weight'], w[p + 'attention.output.LayerNorm.bias'])
        h = gelu(lin(x, p + 'intermediate.dense'))
        x = ln(x + lin(h, p + 'output.dense'), w[p + 'output.LayerNorm.weight'], w[p + 'output.LayerNorm.bias'])
    m = x.mean(0)  # no padding: every token counts
    return m / np.linalg.norm(m)

emb = np.stack([embed(ids[i]) for i in range(len(sentences))]).astype(np.float16)
fixture = {
    'encoder': 'sentence-transformers/all-MiniLM-L6-v2',
    'maxLength': MAX_LEN,
    'tokenizers': __import__('tokenizers').__version__,
    'texts': sentences + extra,
    'ids': ids,
    'embeddingCount': len(sentences),
    'dim': H,
    'embeddingsFloat16Base64': base64.b64encode(emb.tobytes()).decode(),
}
with gzip.open(out, 'wt', encoding='utf-8') as f:
    json.dump(fixture, f)
print('wrote', out, len(sentences), 'embeddings', len(extra), 'extra tokenizer cases')

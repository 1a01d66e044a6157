"""Notice units → tokens: the lexicon-aware segmenter, stopwords and the vocabulary."""

"""Korean text: normalization, the Kiwi analyzer, the spaCy pipeline, PII masking."""

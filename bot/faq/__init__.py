"""The FAQ base, the hybrid retriever and the answer policy (no Rasa imports here)."""

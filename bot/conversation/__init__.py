"""What every process agrees on about a conversation: names, payloads, the transcript (no Rasa, no Sanic)."""

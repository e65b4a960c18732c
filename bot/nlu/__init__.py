"""Rasa GraphComponents: thin adapters over bot.korean, bot.embeddings and bot.faq."""

"""Sanic parts of the bot inside the Rasa server: citizen channels, agent console."""

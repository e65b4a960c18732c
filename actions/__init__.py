"""rasa-sdk actions: each reads the tracker, calls bot.*, and replies."""

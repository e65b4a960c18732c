"""Code that runs inside the Rasa server: the REST input channel and its guards, the launcher."""

"""The content staff's work: drafts, validation, review queue, publish gate, versions, analytics.

Free of Rasa and Sanic (the web app and the CLI drive it).
"""

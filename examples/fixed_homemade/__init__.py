"""The classic fix with a home-made decorator: see caching.py and render_service.py."""

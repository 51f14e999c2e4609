"""The web UI: server-rendered pages and a little JavaScript, every asset in the package.

The pages call the same ``/v1`` API as any client, signed in by a session cookie: the
server enforces every permission, and the page only hides what the API would refuse.
"""

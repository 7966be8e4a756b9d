"""The raw limit for intake: a bare Flask JSON endpoint on the same gunicorn settings as the services."""
from flask import Flask, jsonify, request


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/echo")
    def echo():
        body = request.get_json()
        return jsonify({"id": "x", "received": len(body)}), 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app

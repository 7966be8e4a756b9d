"""Entry point of the petition worker process: outbox relay and event consumers."""
from .bootstrap import create_worker


def main() -> None:
    create_worker().run_forever()


if __name__ == "__main__":
    main()

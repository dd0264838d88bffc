"""Send API requests at the same moment from threads, each with its own database connection."""

import threading

from django.db import connection
from rest_framework.test import APIClient


def post_at_once(*, path: str, secret: str, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST each body from its own thread, released together by a barrier; (status, json) in completion order."""
    results: list[tuple[int, dict]] = []
    start = threading.Barrier(len(bodies))

    def send(body: dict) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        start.wait()
        response = client.post(path, body, format="json")
        results.append((response.status_code, response.json()))
        connection.close()  # the thread's own connection

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

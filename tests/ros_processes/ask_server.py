"""Separate process: an AskAboutPerson server with a fixed rule, to test the service round trip.

Rule: track 7 is known; the answer repeats the question upper-cased; any other track fails.
"""
from __future__ import annotations

from builtin_interfaces.msg import Time
from llamo_msgs.srv import AskAboutPerson
from rclpy.node import Node
from spin_process import spin_node


class AskServer(Node):
    def __init__(self) -> None:
        super().__init__("ask_server")
        self.create_service(AskAboutPerson, "ask_about_person", self._answer)

    def _answer(self, request, response):
        if request.track_id != 7:
            response.success, response.error_message = False, f"unknown track id {request.track_id}"
            return response
        response.success, response.answer = True, request.question.upper()
        response.window_start, response.window_end = Time(sec=10), Time(sec=12, nanosec=5)
        response.model = "rule"
        return response


def main() -> None:
    spin_node(lambda: AskServer())


if __name__ == "__main__":
    main()

"""Bridges: programs nobody wrote for Ringside (UCI, XBoard, GTP, JSON-lines) playing as bots.

Each bridge runs next to its engine, drives it as a child process and
connects to the server as an ordinary bot through the client SDK. The XBoard
bridge (``ringside.bridges.xboard``) needs python-chess, so it is imported from
its module.
"""

from ringside.bridges.engine import EngineBridge, EngineError, EngineProcess
from ringside.bridges.gtp import GtpBridge
from ringside.bridges.stdio import StdioBridge
from ringside.bridges.uci import UciBridge

__all__ = ["EngineBridge", "EngineError", "EngineProcess", "GtpBridge", "StdioBridge", "UciBridge"]

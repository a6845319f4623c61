"""The WinRM lab: a real WS-Management/WinRS server on loopback with one host per cause."""

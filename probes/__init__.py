"""Remote checks: read-only PowerShell probes, the WinRM runner, facts and diagnosis rules."""

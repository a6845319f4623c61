# Source: seed article 1 - CcmMessaging.log "[CCMHTTP] ERROR: URL=..., Text=<symbol>" lines.
try {
    $path = Get-LogPath 'ccmmessaging_log'
    Out-Section 'ccmmessaging_log' ([ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); lines = @(Get-LogLines 'ccmmessaging_log' $path) })
} catch { Out-Failure 'ccmmessaging_log' $_ }

# Source: seed article 1 (netsh winhttp show proxy); WinHTTP proxy settings in
# HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings.
try {
    $text = (netsh winhttp show proxy) -join "`n"
    $proxy = if ($text -match 'Proxy Server\(s\)\s*:\s*(\S+)') { $Matches[1] } else { $null }
    $bypass = if ($text -match 'Bypass List\s*:\s*(.+)') { @($Matches[1].Trim() -split ';') } else { @() }
    $r.proxy = [ordered]@{ winhttp_proxy = $proxy; bypass = $bypass }
} catch { $r.errors.proxy = $_.Exception.Message }

# Source: the WinHTTP default proxy that netsh winhttp show proxy prints is stored, language-neutral, in
# HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections WinHttpSettings (REG_BINARY;
# SupportArticles-docs windows-update-client-determines-proxy-server-connect.md; netsh output is localized).
try {
    $blob = Get-RegValue 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' 'WinHttpSettings'
    $b64 = $null
    if ($blob) { $b64 = [Convert]::ToBase64String([byte[]]$blob) }
    Out-Section 'proxy' ([ordered]@{ winhttp_settings = $b64 })
} catch { Out-Failure 'proxy' $_ }

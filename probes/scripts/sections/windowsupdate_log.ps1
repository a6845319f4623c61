# Source: seed article 2 - %windir%\WindowsUpdate.log "ISusInternal::GetUpdateMetadata2 failed, hr=8007000E";
# 0x800B0001 when WSUS is older than 3.2.7600.256. On Windows 10+ the file is an ETW stub (MicrosoftDocs/
# windows-powershell-docs WindowsUpdate/Get-WindowsUpdateLog.md), so it is read only below 10.0 (defect 12).
try {
    $path = Get-LogPath 'windowsupdate_log'
    $major = [int]([string](Get-OS).Version).Split('.')[0]
    $o = [ordered]@{ path = $path; exists = (Test-Path -LiteralPath $path); applicable = ($major -lt 10); lines = @() }
    if ($o.applicable) { $o.lines = @(Get-LogLines 'windowsupdate_log' $path) }
    Out-Section 'windowsupdate_log' $o
} catch { Out-Failure 'windowsupdate_log' $_ }

param([string]$Parameters = '')
# cmbot read-only probe. Reads state; changes nothing. Parameters arrive as base64 JSON data.
# The bootstrap ran first and stopped on PowerShell < 3.0 or a language mode other than FullLanguage,
# so 3.0 constructs are safe from here on (docs/PROBES.md "PowerShell versions").
# Output: one line per section, streamed as it finishes (runner._decode_document reads them):
#   CMBOT-SECTION <name> <base64 UTF-8 JSON>   CMBOT-FAIL <name> <base64 UTF-8 JSON>   CMBOT-END
$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
# Every CIM call passes -OperationTimeoutSec $Clock.cim: the default 0 means "the server's default"
# (PowerShell-Docs reference/5.1/CimCmdlets/Get-CimInstance.md, -OperationTimeoutSec).
$P = @{}
if ($Parameters) {
    $P = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Parameters)) | ConvertFrom-Json
}
# A time budget (defect 7): each section starts only with time left, and every wait inside it is bounded
# by $Clock.cim (CIM) or Test-WinHttp's SetTimeouts; a section that cannot start says so on its own line.
$Clock = @{ cim = 1; budget = 40; started = Get-Date; os = $null }
if ($P.budget_s) { $Clock.budget = [int]$P.budget_s }
function Get-Left { return $Clock.budget - ((Get-Date) - $Clock.started).TotalSeconds }
function Test-Budget { return ((Get-Left) -gt 2) }
function Get-WaitSeconds([int]$Cap) { return [int][Math]::Max(1, [Math]::Min($Cap, (Get-Left) - 1)) }
function ConvertTo-Line([string]$Kind, [string]$Name, $Value) {
    $json = ConvertTo-Json -InputObject $Value -Depth 6 -Compress
    $Kind + ' ' + $Name + ' ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
}
function Out-Section([string]$Name, $Value) { ConvertTo-Line 'CMBOT-SECTION' $Name $Value }
# The exception's type and CIM NativeErrorCode let the bot tell "access denied" from "not installed"
# (learn.microsoft.com/dotnet/api/microsoft.management.infrastructure.nativeerrorcode).
function Out-Failure([string]$Name, $Err) {
    $e = $Err.Exception
    $o = [ordered]@{ exception = $e.GetType().FullName; native = [string]$e.NativeErrorCode
        hresult = [string]$e.HResult; message = [string]$e.Message }
    ConvertTo-Line 'CMBOT-FAIL' $Name $o
}
function Out-Skipped([string]$Name) {
    ConvertTo-Line 'CMBOT-FAIL' $Name ([ordered]@{ exception = 'cmbot.Budget'; native = ''; hresult = ''
        message = 'not started: the time budget was spent' })
}
function ConvertTo-IsoTime($Value) {
    # Never let a [datetime] reach ConvertTo-Json: 5.1 writes "\/Date(ms)\/" (defect 1).
    if ($null -eq $Value) { return $null }
    return ([datetime]$Value).ToUniversalTime().ToString('o')
}
function Get-RegValue([string]$Path, [string]$Name) {
    # $null when the key or value is absent; access denied throws (SecurityException) and is reported.
    if (-not (Test-Path -LiteralPath $Path)) { return $null }
    return (Get-Item -LiteralPath $Path).GetValue($Name)
}
function Get-Cim([string]$Namespace, [string]$Class, [string]$Filter = '') {
    $Clock.cim = Get-WaitSeconds 8
    if ($Filter) {
        return Get-CimInstance -Namespace $Namespace -ClassName $Class -Filter $Filter -OperationTimeoutSec $Clock.cim
    }
    return Get-CimInstance -Namespace $Namespace -ClassName $Class -OperationTimeoutSec $Clock.cim
}
function Get-OS {
    if ($null -eq $Clock.os) { $Clock.os = Get-Cim 'root/cimv2' 'Win32_OperatingSystem' | Select-Object -First 1 }
    return $Clock.os
}
# CCM log directory (ConfigMgr Client Health Get-CCMLogDirectory); when the key cannot be read the default
# stands, and a log section that then finds no file says so (exists = false).
$CcmLogs = Join-Path $env:windir 'CCM\Logs'
try {
    $dir = Get-RegValue 'HKLM:\SOFTWARE\Microsoft\CCM\Logging\@Global' 'LogDirectory'
    if ($dir) { $CcmLogs = $dir }
} catch { $CcmLogs = Join-Path $env:windir 'CCM\Logs' }
function Get-LogPath([string]$Name) {
    # The file of a log section ($LogSources, written after this header from probes/facts.py LOG_SOURCES).
    $s = $LogSources.$Name
    $dir = $CcmLogs
    if ($s.under -eq 'windir') { $dir = $env:windir }
    return (Join-Path $dir $s.file)
}
function Get-LogLines([string]$Name, [string]$Path) {
    # The lines of the section's log that hold one of its keywords, newest last, read as UTF-8 when the file
    # has no BOM; the bot bounds them in time (CMTrace time/date, defect 19). The keywords are built from the
    # knowledge entries (probes/logfilter.py) and matched as plain text, case-insensitively: Select-String
    # -SimpleMatch does not read them as a regex, matches are not case-sensitive by default, and a line
    # matching any of several patterns is returned (PowerShell-Docs reference/5.1/Microsoft.PowerShell.Utility/
    # Select-String.md, -SimpleMatch, -CaseSensitive, -Pattern). No keywords ($null): every line of the tail.
    # Callers wrap the call in @(): PowerShell unrolls a returned array (one line -> a string, none -> $null).
    $s = $LogSources.$Name
    if (-not (Test-Path -LiteralPath $Path)) { return }
    $lines = @(Get-Content -LiteralPath $Path -Tail ([int]$s.tail) -Encoding UTF8)
    if ($null -ne $s.keywords) {
        $lines = @($lines | Select-String -SimpleMatch -Pattern @($s.keywords) | ForEach-Object { $_.Line })
    }
    $lines | Select-Object -Last ([int]$s.last)
}
function Test-WinHttp([string]$Url) {
    # WinHTTP, as the Windows Update Agent uses (SupportArticles-docs troubleshoot-software-update-scan-
    # failures.md), with its default proxy "obtained from the registry" (learn.microsoft.com/windows/win32/
    # winhttp/iwinhttprequest-setproxy); SetTimeouts bounds resolve, connect, send and receive in ms, a
    # quarter each of the wait left (at most 20 s)
    # (iwinhttprequest-settimeouts); option 9 = SecureProtocols; 0x0A80 = TLS 1.0 | 1.1 | 1.2 (0x80, 0x200, 0x800: winhttprequestoption,
    # WinHttpRequestSecureProtocols), so TLS-1.2-only WSUS answers on Windows PowerShell 5.1 too (defect 15).
    $o = [ordered]@{ url = $Url; status = $null; error = $null; via = 'winhttp' }
    try {
        $h = New-Object -ComObject 'WinHttp.WinHttpRequest.5.1'
        $ms = 1000 * (Get-WaitSeconds 20) / 4
        $h.SetTimeouts($ms, $ms, $ms, $ms)
        $h.Option(9) = 0x0A80
        $h.Open('GET', $Url, $false)
        $h.Send()
        $o.status = [int]$h.Status
    } catch { $o.error = [string]$_.Exception.Message }
    return $o
}
try {
    $hostInfo = [ordered]@{ computer = [string]$env:COMPUTERNAME; kbs = @($P.kbs | Where-Object { $_ })
        deployments = @($P.deployments | Where-Object { $_ })
        ps_version = [string]$PSVersionTable.PSVersion
        language_mode = [string]$ExecutionContext.SessionState.LanguageMode
        now_utc = ConvertTo-IsoTime (Get-Date)
        elevated = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator) }
    Out-Section 'host' $hostInfo
} catch { Out-Failure 'host' $_ }

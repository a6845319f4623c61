param([string]$ParamsB64 = '')
# cmbot read-only probe. Reads state; changes nothing. Parameters arrive as base64 JSON data.
$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
$P = @{}
if ($ParamsB64) {
    $P = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
}
$r = [ordered]@{ schema_version = 1; errors = [ordered]@{} }
$CcmLogs = 'C:\Windows\CCM\Logs'
try {
    $dir = (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\CCM\Logging\@Global' -Name LogDirectory).LogDirectory
    if ($dir) { $CcmLogs = $dir }
} catch { }
function Get-RecentLines([string]$Path, [string]$Pattern, [int]$Tail = 4000, [int]$Max = 40) {
    if (-not (Test-Path -LiteralPath $Path)) { return @() }
    $hits = Get-Content -LiteralPath $Path -Tail $Tail | Select-String -Pattern $Pattern
    return @($hits | Select-Object -Last $Max | ForEach-Object { $_.Line })
}
function Test-Url([string]$Url) {
    $o = [ordered]@{ url = $Url; status = $null; error = $null }
    try {
        $resp = Invoke-WebRequest -Uri $Url -UseBasicParsing -TimeoutSec 10
        $o.status = [int]$resp.StatusCode
    } catch {
        if ($_.Exception.Response) { $o.status = [int]$_.Exception.Response.StatusCode }
        $o.error = $_.Exception.Message
    }
    return $o
}

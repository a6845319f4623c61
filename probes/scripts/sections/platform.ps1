# Source: seed article 2 - OS architecture (32-bit Windows 7), Windows Update Agent version (wuaueng.dll
# file version, which every later WUA update carries) and the 2015 fixes (Get-HotFix, supporting detail only).
# PROCESSOR_ARCHITECTURE / PROCESSOR_ARCHITEW6432 name x86, AMD64 or ARM64 in any language.
try {
    $os = Get-OS
    $arch = $env:PROCESSOR_ARCHITEW6432
    if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
    $sys = 'System32'
    if ($env:PROCESSOR_ARCHITEW6432) { $sys = 'Sysnative' }
    $dll = Get-Item (Join-Path $env:windir ($sys + '\wuaueng.dll'))
    $fixes = @('KB3050265','KB3065987','KB3075851','KB3083324','KB3083710','KB3102810','KB3112343')
    $kbs = @(Get-Cim 'root/cimv2' 'Win32_QuickFixEngineering' | Where-Object { $fixes -contains $_.HotFixID } | ForEach-Object { [string]$_.HotFixID })
    Out-Section 'platform' ([ordered]@{ os_caption = [string]$os.Caption; os_version = [string]$os.Version
        architecture = [string]$arch; wua_version = [string]$dll.VersionInfo.FileVersion; installed_kbs = $kbs })
} catch { Out-Failure 'platform' $_ }

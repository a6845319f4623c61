# Source: CacheConfig (ConfigKey 'Cache') Size in MB and Location in root\ccm\SoftMgmtAgent
# (rzander/sccmclictrlib sccmclictr.automation/SWCache.cs).
try {
    $cfg = Get-Cim 'root/ccm/SoftMgmtAgent' 'CacheConfig' | Select-Object -First 1
    Out-Section 'cache' ([ordered]@{ size_mb = [int]$cfg.Size; location = [string]$cfg.Location })
} catch { Out-Failure 'cache' $_ }

# Source: seed article 1 (http://<MP>/sms_mp/.sms_aut?mplist answers 200, enhanced-HTTP sites only);
# SMS_Authority.CurrentManagementPoint in root\ccm (rzander/sccmclictrlib sccmclictr.automation/Components.cs).
# The scheme is the one the client itself used in CcmMessaging.log "URL=http(s)://" lines (seed article 1);
# without one, http is tried and then https. A name with a path (a CMG) is not tested (defect 14).
try {
    $mp = [string](Get-Cim 'root/ccm' 'SMS_Authority' | Select-Object -First 1).CurrentManagementPoint
    $o = [ordered]@{ name = $mp; scheme_seen = $null; mplist = $null }
    $seen = @(Get-LogLines (Join-Path $CcmLogs 'CcmMessaging.log') 'URL=https?://' 4000 1)
    if ($seen.Count -gt 0 -and ($seen[0] -match 'URL=(https?)://')) { $o.scheme_seen = $Matches[1] }
    if ($mp -and -not $mp.Contains('/')) {
        $schemes = @('http', 'https')
        if ($o.scheme_seen) { $schemes = @($o.scheme_seen) }
        foreach ($s in $schemes) {
            $o.mplist = Test-WinHttp ($s + '://' + $mp + '/sms_mp/.sms_aut?mplist')
            if ($o.mplist.status -eq 200) { break }
        }
    }
    Out-Section 'mp' $o
} catch { Out-Failure 'mp' $_ }

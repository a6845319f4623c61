# Source: seed article 1 - CCM_UpdateCIAssignment in root\CCM\Policy\Machine\ActualConfig (AssignmentID = the
# deployment unique ID). Each AssignedCIs entry is CI XML whose /CI/ApplicabilityCondition/ApplicabilityRule/
# UpdateId names the targeted update (rzander/sccmclictrlib smsclictr.automation/SMSClient.cs; SupportArticles-docs
# track-software-update-deployment-process.md: "Assignment {...} has total CI = 3").
try {
    $a = Get-Cim 'root/ccm/Policy/Machine/ActualConfig' 'CCM_UpdateCIAssignment'
    $rows = @($a | ForEach-Object {
        $ids = @($_.AssignedCIs | ForEach-Object { [regex]::Matches([string]$_, '<UpdateId>([^<]+)</UpdateId>') } |
            ForEach-Object { $_.Groups[1].Value })
        [ordered]@{ id = [string]$_.AssignmentID; name = [string]$_.AssignmentName; update_ids = $ids } })
    Out-Section 'deployment_policy' ([ordered]@{ assignments = $rows })
} catch { Out-Failure 'deployment_policy' $_ }

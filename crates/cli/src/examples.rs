//! Examples shown under every command's help (`gongkai <命令> --help`) and in the man page.
//! Every command of the tree has an entry here (tested in `main.rs`).

/// The examples of a command, by its path (`organ add`).
pub fn of(path: &str) -> Option<&'static str> {
    Some(match path {
        "serve" => "  gongkai serve --listen 127.0.0.1:8080\n  gongkai serve --db /srv/gongkai/gongkai.db",
        "check" => {
            "  gongkai check 报告.txt\n  gongkai check 目录/ --errors-only\n  gongkai check 目录/ --format csv > 问题.csv\n  cat 报告.html | gongkai check -"
        }
        "parse" => "  gongkai parse 报告.html\n  gongkai parse 报告.txt --format text",
        "rules" => "  gongkai rules\n  gongkai rules --format json\n  gongkai rules --format md > docs/rules.md",
        "audit" => "  gongkai audit 目录/ --out 数据.csv\n  gongkai audit 目录/ --out 审核.html --manifest 清单.csv",
        "render" => {
            "  gongkai render 报告.json --to html > 报告.html\n  gongkai render 报告.json --to docx --out 报告.docx\n  gongkai render 报告.json --to xlsx --out 报告.xlsx --force"
        }
        "calendar" => "  gongkai calendar add 2024-09-27 20\n  gongkai calendar between 2020-01-20 2020-02-25",
        "calendar add" => {
            "  gongkai calendar add 2024-09-27 20\n  gongkai calendar add 2027-02-01 5 --holidays 2027.tsv"
        }
        "calendar between" => "  gongkai calendar between 2020-01-20 2020-02-25 --format json",
        "calendar is-workday" => {
            "  gongkai calendar is-workday 2020-01-19\n  gongkai calendar is-workday 2024-10-01 --format json"
        }
        "calendar import" => "  gongkai calendar import 2027年放假通知.txt\n  gongkai calendar import holidays.tsv",
        "clock" => "  gongkai clock 事件.json --today 2024-05-20\n  gongkai clock 事件.json --format json",
        "fee" => "  gongkai fee --pages 2219\n  gongkai fee --items 12 --already 10",
        "bench" => "  gongkai bench --reports 2000\n  gongkai bench --reports 200 --kind html",
        "ledger" => {
            "  gongkai ledger layout\n  gongkai ledger import 台账.xlsx --organ 2\n  gongkai ledger export --organ 2 --out 台账.xlsx"
        }
        "ledger import" => {
            "  gongkai ledger import 台账.xlsx --organ 2 --dry-run\n  gongkai ledger import 台账.csv --organ 2"
        }
        "ledger export" => {
            "  gongkai ledger export --organ 2 --out 台账.xlsx\n  gongkai ledger export --organ 2 --out 台账.csv --unmask"
        }
        "ledger layout" => "  gongkai ledger layout\n  gongkai ledger layout --format json",
        "ledger template" => "  gongkai ledger template --out 台账模板.xlsx",
        "letter" => {
            "  gongkai letter 1 --kind reply --out 答复书.docx --review-body 某县人民政府 --court 某县人民法院\n  gongkai letter 1 --kind fee --pages 300 --out 收费通知书.docx\n  gongkai letter 1 --kind correction --what 请写明文件名称 --out -  > 补正告知书.docx\n  gongkai letter 1 --kind reply --format json"
        }
        "compile" => {
            "  gongkai compile --organ 示例县科学技术局 --year 2024 --to json --out 2024.json\n  gongkai compile --organ 1 --year 2024 --region --to md\n  gongkai compile --records 台账.json --organ 2 --year 2024"
        }
        "aggregate" => "  gongkai aggregate 下级报告/\n  gongkai aggregate 下级报告/ --compare 本级政府报告.html",
        "init" => "  gongkai init\n  gongkai init --db ./示例.db",
        "organ" => "  gongkai organ add --name 示例县人民政府 --kind 人民政府\n  gongkai organ list",
        "organ add" => {
            "  gongkai organ add --name 示例县人民政府 --kind 人民政府 --code 000000001\n  gongkai organ add --name 示例县科学技术局 --parent 1 --kind 政府部门"
        }
        "organ list" => "  gongkai organ list\n  gongkai organ list --format json",
        "register" => {
            "  gongkai register --organ 2 --serial 2024-001 --name 张三 --received 2024-09-27 --description 某文件\n  gongkai register --organ 示例县科学技术局 --serial 2024-002 --channel 当面 --form 纸质 \\\n    --applicant-kind 法律服务机构 --name 某律师事务所 --received 2024-12-20 --description 某决定书"
        }
        "event" => {
            "  gongkai event 1 --version 1 --type replied --date 2024-10-20 --outcome 予以公开\n  gongkai event 1 --version 1 --type extended --date 2024-10-25 --days 20 --approver 李四\n  gongkai event 1 --version 2 '{\"event\":\"fee_notice\",\"date\":\"2024-10-08\",\"amount\":100}'"
        }
        "show" => "  gongkai show 1\n  gongkai show 1 --unmask --format json",
        "due" => "  gongkai due --within 5\n  gongkai due --within 10 --organ 2 --today 2025-01-10",
        "catalogue" => {
            "  gongkai catalogue add --organ 2 --title 关于某事的通知 --issued 2024-03-01\n  gongkai catalogue list --organ 2"
        }
        "catalogue add" => {
            "  gongkai catalogue add --organ 2 --kind 规章 --title 某办法 --doc-number 某政令〔2024〕1号 --issued 2024-03-01"
        }
        "catalogue repeal" => "  gongkai catalogue repeal 3 --version 1 --date 2024-12-31",
        "catalogue list" => "  gongkai catalogue list --organ 2 --format json",
        "case" => "  gongkai case add --organ 2 --kind review --filed 2024-05-06\n  gongkai case list --organ 2",
        "case add" => "  gongkai case add --organ 2 --kind review --number 某复〔2024〕3号 --filed 2024-05-06",
        "case conclude" => "  gongkai case conclude 1 --version 1 --date 2024-07-01 --result maintained",
        "case list" => "  gongkai case list --organ 2 --format json",
        "counts" => {
            "  gongkai counts set --organ 2 --year 2024 --licences 120 --fee-wan 0.5\n  gongkai counts show --organ 2 --year 2024"
        }
        "counts set" => {
            "  gongkai counts set --organ 2 --year 2024 --licences 120 --penalties 8 --coercions 0 --fee-wan 0.5"
        }
        "counts show" => "  gongkai counts show --organ 2 --year 2024 --format json",
        "history" => {
            "  gongkai history 1\n  gongkai history --entity organ 2\n  gongkai history --entity yearly_counts 2/2024"
        }
        "completions" => {
            "  gongkai completions bash > ~/.local/share/bash-completion/completions/gongkai\n  gongkai completions zsh > ~/.zfunc/_gongkai\n  gongkai completions fish > ~/.config/fish/completions/gongkai.fish\n  gongkai completions powershell >> $PROFILE"
        }
        "man" => {
            "  gongkai man > gongkai.1 && man ./gongkai.1\n  gongkai man | gzip > /usr/local/share/man/man1/gongkai.1.gz"
        }
        _ => return None,
    })
}

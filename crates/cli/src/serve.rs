//! `gongkai serve`: the clerks' workbench in the browser (crate `gongkai-web`) on the same
//! register as the commands (a SQLite file by default, or a PostgreSQL URL).

use anyhow::{Context, Result};

/// Arguments of `gongkai serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// 监听地址（默认只接受本机访问；在办公网内提供服务时改为如 0.0.0.0:8080，并在前面配置 HTTPS）
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// 会话 Cookie 加 Secure 标记（经 HTTPS 反向代理提供服务时使用）
    #[arg(long)]
    secure_cookies: bool,
    /// 数据库连接池大小：同时访问登记簿的最多连接数（默认为 CPU 核数的 2 倍，至少 4、至多 32）
    #[arg(long, value_name = "N", value_parser = pool_size)]
    db_pool: Option<usize>,
}

/// `--db-pool`: a whole number from 1 to 1024.
fn pool_size(s: &str) -> std::result::Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=1024).contains(n))
        .ok_or_else(|| "连接池大小须为 1 到 1024 之间的整数".to_string())
}

pub fn run(a: &ServeArgs, db: Option<&str>) -> Result<u8> {
    let spec = crate::register_cmd::db_spec(db);
    // One store for the whole server (a pool of connections). The first start creates the
    // register and, when it has no users, the first administrator.
    let pool = a.db_pool.unwrap_or_else(gongkai_store_open::default_pool);
    let store = crate::register_cmd::open_pool(&spec, true, pool)?;
    if let Some((name, password)) = gongkai_app::accounts::bootstrap_admin(&*store)? {
        eprintln!("首次启动：已创建管理员账户。");
        eprintln!("  用户名：{name}");
        eprintln!("  初始密码：{password}");
        eprintln!("请立即登录并修改密码（此密码只显示这一次）。");
    }
    let backend = store.backend();
    let web = gongkai_web::Web::new(store, a.secure_cookies);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("无法启动服务")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("无法监听 {}（地址被占用或无权限？）", a.listen))?;
        let addr = listener.local_addr().context("无法取得监听地址")?;
        let where_ = gongkai_store_open::shown(&spec);
        eprintln!(
            "gongkai 工作台已启动：http://{addr}/ （登记簿：{where_}，{backend}，连接池 {pool}）。按 Ctrl+C 停止。"
        );
        gongkai_web::serve(listener, web).await.context("服务异常退出")
    })?;
    Ok(0)
}

<?php
// A fresh WordPress for the WXR acceptance check (docs/decisions/0016-…): run with
// HTTP_HOST and WORDPRESS_CONFIG naming a Debian host config with its own table prefix.
define( 'WP_INSTALLING', true );
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if ( is_blog_installed() ) { echo "already installed\n"; exit; }
$r = wp_install( 'Import Check', 'admin', 'admin@example.com', false, '', 'admin-local-only' );
update_option( 'timezone_string', 'Europe/Berlin' );
echo "installed user {$r['user_id']}\n";

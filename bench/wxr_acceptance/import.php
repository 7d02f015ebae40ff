<?php
// WordPress's importer on a Broadsheet WXR file (docs/decisions/0016-…). WP_IMPORTER_DIR holds
// class-wxr-parser-simplexml.php and class-wp-import.php from WordPress/wordpress-importer.
// Runs as the admin would from Tools → Import → WordPress: "create new users" for every
// author, attachments not downloaded.
error_reporting( E_ALL & ~E_DEPRECATED );
define( 'WP_LOAD_IMPORTERS', true );
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once ABSPATH . 'wp-admin/includes/import.php';
require_once ABSPATH . 'wp-admin/includes/class-wp-importer.php';
require getenv( 'WP_IMPORTER_DIR' ) . '/class-wxr-parser-simplexml.php';
require getenv( 'WP_IMPORTER_DIR' ) . '/class-wp-import.php';
wp_set_current_user( 1 );
$file = $argv[1];
$importer = new WP_Import();
$parsed = $importer->parse( $file );
if ( is_wp_error( $parsed ) ) { echo 'PARSE ERROR: ' . $parsed->get_error_message() . "\n"; print_r( $parsed->get_error_data() ); exit( 1 ); }
$comments = 0;
foreach ( $parsed['posts'] as $p ) { $comments += isset( $p['comments'] ) ? count( $p['comments'] ) : 0; }
printf( "parsed: version %s, %d authors, %d categories, %d tags, %d items, %d comments\n",
	$parsed['version'], count( $parsed['authors'] ), count( $parsed['categories'] ), count( $parsed['tags'] ), count( $parsed['posts'] ), $comments );
$_POST['imported_authors'] = array_values( array_keys( $parsed['authors'] ) );
$_POST['user_map'] = array_fill( 0, count( $parsed['authors'] ), 0 );
$_POST['user_new'] = array_fill( 0, count( $parsed['authors'] ), '' );
ob_start();
$importer->import( $file );
$out = ob_get_clean();
echo trim( html_entity_decode( strip_tags( str_replace( '<br />', "\n", $out ) ) ) ), "\n";


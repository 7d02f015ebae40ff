<?php
// What WordPress stored after import.php, as JSON for compare.py (docs/decisions/0016-…).
// BROADSHEET_SITE_URL is the exported site's SITE_URL, the start of every imported guid.
error_reporting( E_ALL & ~E_DEPRECATED );
require '/usr/share/wordpress/wp-load.php';
global $wpdb;
$out = array( 'users' => array(), 'posts' => array(), 'categories' => array() );
foreach ( get_users() as $u ) {
	$out['users'][ $u->user_login ] = array( 'email' => $u->user_email, 'display_name' => $u->display_name,
		'first_name' => get_user_meta( $u->ID, 'first_name', true ), 'last_name' => get_user_meta( $u->ID, 'last_name', true ) );
}
foreach ( get_terms( array( 'taxonomy' => 'category', 'hide_empty' => false ) ) as $t ) {
	$parent = $t->parent ? get_term( $t->parent, 'category' )->slug : '';
	$out['categories'][] = array( 'slug' => urldecode( $t->slug ), 'name' => $t->name, 'parent' => urldecode( $parent ) );
}
$sticky = get_option( 'sticky_posts' );
$rows = $wpdb->get_results( "SELECT * FROM {$wpdb->posts} WHERE post_type IN ('post','page') AND guid LIKE '" . esc_sql( getenv( 'BROADSHEET_SITE_URL' ) ) . "/%'" );
foreach ( $rows as $p ) {
	$comments = array();
	foreach ( $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$wpdb->comments} WHERE comment_post_ID = %d ORDER BY comment_ID", $p->ID ) ) as $c ) {
		$user = $c->user_id ? get_userdata( $c->user_id )->user_login : '';
		$comments[ $c->comment_ID ] = array( 'parent' => (int) $c->comment_parent, 'author' => $c->comment_author,
			'email' => $c->comment_author_email, 'url' => $c->comment_author_url, 'ip' => $c->comment_author_IP,
			'date' => $c->comment_date, 'date_gmt' => $c->comment_date_gmt, 'content' => $c->comment_content,
			'approved' => $c->comment_approved, 'type' => $c->comment_type, 'user' => $user,
			'meta' => array_map( function ( $v ) { return $v[0]; }, get_comment_meta( $c->comment_ID ) ) );
	}
	$meta = array();
	foreach ( get_post_meta( $p->ID ) as $k => $v ) { $meta[ $k ] = $v[0]; }
	$out['posts'][] = array(
		'ID' => (int) $p->ID, 'guid' => $p->guid, 'title' => $p->post_title, 'content' => $p->post_content,
		'excerpt' => $p->post_excerpt, 'status' => $p->post_status, 'name' => urldecode( $p->post_name ),
		'date' => $p->post_date, 'date_gmt' => $p->post_date_gmt, 'modified_gmt' => $p->post_modified_gmt,
		'parent' => (int) $p->post_parent, 'parent_guid' => $p->post_parent ? get_post( $p->post_parent )->guid : '',
		'menu_order' => (int) $p->menu_order, 'type' => $p->post_type, 'author' => get_userdata( $p->post_author )->user_login,
		'comment_status' => $p->comment_status, 'ping_status' => $p->ping_status, 'sticky' => in_array( (int) $p->ID, array_map( 'intval', $sticky ), true ),
		'comment_count' => (int) $p->comment_count,
		'categories' => array_map( function ( $t ) { return urldecode( $t->slug ); }, wp_get_post_terms( $p->ID, 'category' ) ),
		'tags' => array_map( function ( $t ) { return urldecode( $t->slug ); }, wp_get_post_terms( $p->ID, 'post_tag' ) ),
		'meta' => $meta, 'comments' => $comments,
		'permalink' => get_permalink( $p->ID ),
		'rendered' => apply_filters( 'the_content', $p->post_content ),
	);
}
echo json_encode( $out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT );

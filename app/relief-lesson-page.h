/* relief-lesson-page.h: the Lesson page, for teaching in class.  Race mode: optimizers race
 * on an analytic function of (x, y) (relief-race.h) from a start clicked on the map,
 * animated on the frame clock; playground mode: a small network trains on a 2D data set
 * (relief-train.h, on a worker that pauses between steps) with its live decision map.  A
 * lesson is a .relief-lesson file (relief-lesson.h); presentation mode (F5) shows the
 * figure full screen, larger and in high contrast, driven from the keyboard. */
#pragma once

#include "relief-lesson.h"
#include "relief-page.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_LESSON_PAGE (relief_lesson_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefLessonPage, relief_lesson_page, RELIEF, LESSON_PAGE, ReliefPage)

/* The scale of type and lines in presentation mode. */
#define RELIEF_LESSON_PRESENTATION_SCALE 1.75

/* The lesson as the controls show it now (racers, view, start, playground). */
ReliefLesson *relief_lesson_page_get_lesson  (ReliefLessonPage *self);
/* Shows lesson (stopping what plays); the race and the playground start over. */
void          relief_lesson_page_set_lesson  (ReliefLessonPage *self, const ReliefLesson *lesson);
gboolean      relief_lesson_page_open_lesson (ReliefLessonPage *self, const char *path, GError **error);
gboolean      relief_lesson_page_save_lesson (ReliefLessonPage *self, const char *path, GError **error);
/* A lesson that comes with Relief, by its resource name ("saddle"). */
gboolean      relief_lesson_page_load_shipped (ReliefLessonPage *self, const char *name, GError **error);

/* Play, pause, one step and start over, in the mode shown (the buttons and keys). */
void          relief_lesson_page_play      (ReliefLessonPage *self, gboolean play);
gboolean      relief_lesson_page_is_playing (ReliefLessonPage *self);
void          relief_lesson_page_step      (ReliefLessonPage *self);
/* The race's view (xmin, xmax, ymin, ymax), what the lesson saves in [Race] view: zoomed
 * by factor about the point (x, y) (factor < 1: in; the wheel), and back to the lesson's
 * own (or the function's, for a function chosen since: Reset view). */
void          relief_lesson_page_zoom      (ReliefLessonPage *self, double factor, double x, double y);
void          relief_lesson_page_get_view  (ReliefLessonPage *self, double view[4]);
void          relief_lesson_page_reset_view (ReliefLessonPage *self);
/* Racer i's colour as its chooser shows it (its swatch), the one the map, the exported
 * frame and the GIF draw it in. */
void          relief_lesson_page_get_racer_rgb (ReliefLessonPage *self, int i, double rgb[3]);
void          relief_lesson_page_reset     (ReliefLessonPage *self);
/* Steps the race has taken; steps the playground has trained. */
gint64        relief_lesson_page_get_race_steps       (ReliefLessonPage *self);
gint64        relief_lesson_page_get_playground_steps (ReliefLessonPage *self);

void          relief_lesson_page_set_presenting (ReliefLessonPage *self, gboolean presenting);
gboolean      relief_lesson_page_get_presenting (ReliefLessonPage *self);
/* 1, or RELIEF_LESSON_PRESENTATION_SCALE in presentation mode (the "scale" property). */
double        relief_lesson_page_get_scale      (ReliefLessonPage *self);
/* Applies preset i (0-based) of the lesson shown; FALSE (a toast says why) without it. */
gboolean      relief_lesson_page_apply_preset   (ReliefLessonPage *self, int i);

/* The current frame as a figure (PDF, SVG or PNG by the extension). */
void          relief_lesson_page_export_figure  (ReliefLessonPage *self, GFile *file);

/* Writes the race so far as a looping GIF (relief_plot_anim_gif) in the background, the
 * page's job (progress in its bar, Escape cancels); FALSE with nothing started when there is
 * no race yet or the settings are out of range. */
gboolean      relief_lesson_page_export_animation (ReliefLessonPage *self, const char *path, double fps,
                                                   int width, int height, GError **error);

G_END_DECLS
